// SPDX-License-Identifier: GPL-2.0
/*
 * fsbench: the filesystem workloads of `make bench`, timed phase by phase
 * on one mount point, printed as "phase seconds" lines.  The same binary
 * runs on scoutfs and on ext4 in the same VM, so only ratios matter.
 *
 *   fsbench create DIR NDIRS NFILES     create NFILES empty files spread over NDIRS dirs
 *   fsbench stat DIR NDIRS NFILES       stat every file
 *   fsbench append DIR NDIRS NFILES N   append one byte to N random files, then sync();
 *                                       also prints "appendsync SECONDS", the sync() alone
 *   fsbench unlink DIR NDIRS NFILES     unlink every file and dir
 *   fsbench write FILE MIB              sequential write of MIB MiB, then fsync
 *   fsbench read FILE                   sequential read of the whole file
 *   fsbench syncfs DIR                  syncfs() of the filesystem holding DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "fsbench: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void path_of(char *buf, const char *dir, long d, long f)
{
	if (f < 0)
		sprintf(buf, "%s/d%04ld", dir, d);
	else
		sprintf(buf, "%s/d%04ld/f%07ld", dir, d, f);
}

int main(int argc, char **argv)
{
	char path[4096];
	static char buf[1 << 20];
	long ndirs, nfiles, i, n;
	double start;
	double t;
	struct stat st;
	int fd;

	if (argc < 3)
		return 2;
	start = now();
	if (!strcmp(argv[1], "create") && argc == 5) {
		ndirs = atol(argv[3]);
		nfiles = atol(argv[4]);
		for (i = 0; i < ndirs; i++) {
			path_of(path, argv[2], i, -1);
			if (mkdir(path, 0755))
				die("mkdir", path);
		}
		for (i = 0; i < nfiles; i++) {
			path_of(path, argv[2], i % ndirs, i);
			fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
			if (fd < 0)
				die("create", path);
			close(fd);
		}
	} else if (!strcmp(argv[1], "stat") && argc == 5) {
		ndirs = atol(argv[3]);
		nfiles = atol(argv[4]);
		for (i = 0; i < nfiles; i++) {
			path_of(path, argv[2], i % ndirs, i);
			if (stat(path, &st))
				die("stat", path);
		}
	} else if (!strcmp(argv[1], "append") && argc == 6) {
		ndirs = atol(argv[3]);
		nfiles = atol(argv[4]);
		n = atol(argv[5]);
		srandom(42);
		for (i = 0; i < n; i++) {
			long f = random() % nfiles;

			path_of(path, argv[2], f % ndirs, f);
			fd = open(path, O_WRONLY | O_APPEND);
			if (fd < 0)
				die("open", path);
			if (write(fd, "x", 1) != 1)
				die("append", path);
			close(fd);
		}
		t = now();
		sync();
		printf("appendsync %.3f\n", now() - t);
	} else if (!strcmp(argv[1], "unlink") && argc == 5) {
		ndirs = atol(argv[3]);
		nfiles = atol(argv[4]);
		for (i = 0; i < nfiles; i++) {
			path_of(path, argv[2], i % ndirs, i);
			if (unlink(path))
				die("unlink", path);
		}
		for (i = 0; i < ndirs; i++) {
			path_of(path, argv[2], i, -1);
			if (rmdir(path))
				die("rmdir", path);
		}
	} else if (!strcmp(argv[1], "write") && argc == 4) {
		n = atol(argv[3]);
		memset(buf, 0xab, sizeof(buf));
		fd = open(argv[2], O_CREAT | O_TRUNC | O_WRONLY, 0644);
		if (fd < 0)
			die("create", argv[2]);
		for (i = 0; i < n; i++)
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				die("write", argv[2]);
		if (fsync(fd))
			die("fsync", argv[2]);
		close(fd);
	} else if (!strcmp(argv[1], "read") && argc == 3) {
		ssize_t r;

		fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			die("open", argv[2]);
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			;
		if (r < 0)
			die("read", argv[2]);
		close(fd);
	} else if (!strcmp(argv[1], "syncfs") && argc == 3) {
		fd = open(argv[2], O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			die("open", argv[2]);
		if (syncfs(fd))
			die("syncfs", argv[2]);
		close(fd);
	} else {
		fprintf(stderr, "fsbench: bad arguments\n");
		return 2;
	}
	printf("%s %.3f\n", argv[1], now() - start);
	return 0;
}
