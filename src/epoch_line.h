/* report.h: how an epoch is shown: the book's text line and the JSON Lines object. */
#ifndef MLP_REPORT_H
#define MLP_REPORT_H

#include <stddef.h>

#include "engine.h"

/* " I:349 Train-Err:0.108 Train-Acc:1.0" (errors as str(x)[0:5], accuracies as str(x)) */
void mlp_format_train_part(const mlp_epoch_report *r, char *buf, size_t len);
/* " Test-Err:0.653 Test-Acc:0.7073" */
void mlp_format_test_part(const mlp_epoch_report *r, char *buf, size_t len);
/* The JSON Lines object of one epoch, without newline; malloc'd (free it), NULL on OOM. */
char *mlp_format_epoch_json(const mlp_epoch_report *r, const char *set, const char *precision);

#endif
