/* craft.h: builds small IDX data folders, good or broken, from a one-line description
 * (the setup column of tests/bad_inputs.tsv; the syntax is described there). */
#ifndef MLP_CRAFT_H
#define MLP_CRAFT_H

#include <stddef.h>

/* Writes the base set into dir (created): the four MNIST file names, raw, each with
 * CRAFT_RECORDS valid records (28 x 28 images, labels 0..9). */
#define CRAFT_RECORDS 20
int craft_base(const char *dir, char *err, size_t errlen);

/* Writes what one "FILE=RECIPE" item describes into dir (replacing what is at that
 * name). Sets *noperm (when not NULL) if the recipe made the file unreadable.
 * Returns 0, or -1 with a message in err. */
int craft_item(const char *dir, const char *item, int *noperm, char *err, size_t errlen);

/* Removes the base file that a "FILE=RECIPE" item stands in for (the raw file of a
 * known FILE, whether the item writes it raw or .gz). Call for every item of a row
 * before writing any, so that two items of one file (raw and .gz) both stay. */
void craft_drop_base(const char *dir, const char *item);

/* The stem of a FILE=RECIPE item when FILE is one of the four MNIST files (with or
 * without .gz), e.g. "train-images", else NULL. Writes it into buf. */
const char *craft_stem(const char *item, char *buf, size_t len);

#endif
