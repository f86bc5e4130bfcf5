/* SPDX-License-Identifier: GPL-2.0 */
/* mintmon text verify --image (text_image.c). */
#ifndef MINTMON_TEXT_IMAGE_H
#define MINTMON_TEXT_IMAGE_H

#include "cli.h"
#include "mintmon/text.h"

/* all: every page of t's regions (read once). Returns the exit status: 0, or 3 if unexplained. */
int text_verify_image(struct cli *c, struct mintmon_text *t, const u8 *all);

#endif /* MINTMON_TEXT_IMAGE_H */
