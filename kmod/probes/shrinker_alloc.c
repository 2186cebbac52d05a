// SPDX-License-Identifier: GPL-2.0
/* 6.7: shrinkers are allocated by shrinker_alloc() and carry private_data */
#include <linux/shrinker.h>

void probe(void *priv);
void probe(void *priv)
{
	struct shrinker *s = shrinker_alloc(0, "probe");

	s->private_data = priv;
	shrinker_register(s);
	shrinker_free(s);
}
