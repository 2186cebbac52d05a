// SPDX-License-Identifier: GPL-2.0
/*
 * walkbench: walk a change index with the raw WALK_INODES ioctl, the way
 * an archive agent written in C would, and print "ENTRIES SECONDS".
 *
 *   walkbench MNT INDEX FIRST_MAJOR     INDEX 0 = meta_seq, 1 = data_seq
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "ioctl.h"

#define BATCH 1024

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct scoutfs_ioctl_walk_inodes_entry ents[BATCH];
	struct scoutfs_ioctl_walk_inodes walk;
	unsigned long long total = 0;
	double start;
	int fd, ret;

	if (argc != 4) {
		fprintf(stderr, "usage: walkbench MNT INDEX FIRST_MAJOR\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "walkbench: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	start = now();
	memset(&walk, 0, sizeof(walk));
	walk.first.major = strtoull(argv[3], NULL, 0);
	walk.last.major = ~0ULL;
	walk.last.minor = ~0U;
	walk.last.ino = ~0ULL;
	walk.entries_ptr = (unsigned long)ents;
	walk.nr_entries = BATCH;
	walk.index = atoi(argv[2]);
	for (;;) {
		ret = ioctl(fd, SCOUTFS_IOC_WALK_INODES, &walk);
		if (ret < 0) {
			fprintf(stderr, "walkbench: WALK_INODES: %s\n", strerror(errno));
			return 1;
		}
		if (ret == 0)
			break;
		total += ret;
		/* resume just after the last entry returned */
		walk.first.major = ents[ret - 1].major;
		walk.first.ino = ents[ret - 1].ino + 1;
		if (walk.first.ino == 0)
			walk.first.major++;
	}
	printf("%llu %.4f\n", total, now() - start);
	close(fd);
	return 0;
}
