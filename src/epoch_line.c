/* report.c: the book's epoch line and the JSON Lines epoch object (see report.h). */
#include <jansson.h>
#include <stdio.h>

#include "pyfmt.h"
#include "epoch_line.h"

void mlp_format_train_part(const mlp_epoch_report *r, char *buf, size_t len)
{
    char err[32], acc[32];
    snprintf(buf, len, " I:%d Train-Err:%s Train-Acc:%s", r->epoch,
             mlp_py_float_str5(r->train.error, err, sizeof err),
             mlp_py_float_str(r->train.accuracy, acc, sizeof acc));
}

void mlp_format_test_part(const mlp_epoch_report *r, char *buf, size_t len)
{
    char err[32], acc[32];
    snprintf(buf, len, " Test-Err:%s Test-Acc:%s",
             mlp_py_float_str5(r->test.error, err, sizeof err),
             mlp_py_float_str(r->test.accuracy, acc, sizeof acc));
}

char *mlp_format_epoch_json(const mlp_epoch_report *r, const char *set, const char *precision)
{
    json_t *o = json_pack("{s:i, s:s, s:s, s:f, s:f, s:f}", "epoch", r->epoch, "set", set,
                          "precision", precision, "train_error", r->train.error,
                          "train_accuracy", r->train.accuracy, "train_seconds",
                          r->train_seconds);
    if (!o)
        return NULL;
    json_object_set_new(o, "test_error", r->tested ? json_real(r->test.error) : json_null());
    json_object_set_new(o, "test_accuracy",
                        r->tested ? json_real(r->test.accuracy) : json_null());
    json_object_set_new(o, "test_seconds", r->tested ? json_real(r->test_seconds) : json_null());
    json_object_set_new(o, "seconds", json_real(r->train_seconds + r->test_seconds));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(o);
    return s;
}
