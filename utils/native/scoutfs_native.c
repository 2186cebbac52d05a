// SPDX-License-Identifier: GPL-2.0
/*
 * scoutfs_native: the system calls the scoutfs utilities need that Node
 * lacks, as a Node-API addon in plain C (ABI-stable across Node
 * versions, no C++ wrapper dependency).
 *
 *   ioctl(fd, request, arg)        ioctl(2) with arg a Buffer/Uint8Array
 *                                  holding the argument struct (or a
 *                                  bigint passed as is: tests of bad
 *                                  pointers); returns the call's
 *                                  non-negative result
 *   address(buf)                   the address of a buffer's bytes, as a
 *                                  bigint, for the pointers inside
 *                                  argument structs
 *   nameToHandle(path)             name_to_handle_at(2): { type, handle,
 *                                  mountId }
 *   openByHandle(mountFd, type, handle, flags)
 *                                  open_by_handle_at(2); returns an fd
 *
 * Failures throw an Error with code ("EINVAL"), errno (negative, as
 * Node's own fs errors) and syscall.  The caller keeps every buffer
 * whose address it passes referenced for the duration of the call;
 * buffers' bytes never move.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <node_api.h>

#define CHECK(env, call)						\
	do {								\
		if ((call) != napi_ok) {				\
			napi_throw_error((env), NULL, #call " failed");	\
			return NULL;					\
		}							\
	} while (0)

static napi_value throw_errno(napi_env env, int err, const char *syscall)
{
	const char *name = strerrorname_np(err);
	char code[16];
	char msg[128];
	napi_value ecode, emsg, error, val;

	if (!name) {
		snprintf(code, sizeof(code), "E%d", err);
		name = code;
	}
	snprintf(msg, sizeof(msg), "%s: %s (%s)", syscall, strerror(err), name);
	CHECK(env, napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &ecode));
	CHECK(env, napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &emsg));
	CHECK(env, napi_create_error(env, ecode, emsg, &error));
	CHECK(env, napi_create_int32(env, -err, &val));
	CHECK(env, napi_set_named_property(env, error, "errno", val));
	CHECK(env, napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &val));
	CHECK(env, napi_set_named_property(env, error, "syscall", val));
	napi_throw(env, error);
	return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want,
		    napi_value *argv)
{
	size_t argc = want;

	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)
		return -1;
	if (argc != want) {
		napi_throw_type_error(env, NULL, "wrong number of arguments");
		return -1;
	}
	return 0;
}

static int get_int32(napi_env env, napi_value v, const char *what, int32_t *out)
{
	if (napi_get_value_int32(env, v, out) != napi_ok) {
		napi_throw_type_error(env, NULL, what);
		return -1;
	}
	return 0;
}

static int get_uint32(napi_env env, napi_value v, const char *what, uint32_t *out)
{
	if (napi_get_value_uint32(env, v, out) != napi_ok) {
		napi_throw_type_error(env, NULL, what);
		return -1;
	}
	return 0;
}

/* the bytes of a Buffer, Uint8Array or other TypedArray */
static int get_bytes(napi_env env, napi_value v, const char *what,
		     void **data, size_t *len)
{
	napi_typedarray_type type;
	napi_value ab;
	size_t off, n;
	bool is;

	if (napi_is_typedarray(env, v, &is) != napi_ok || !is) {
		napi_throw_type_error(env, NULL, what);
		return -1;
	}
	if (napi_get_typedarray_info(env, v, &type, &n, data, &ab, &off) != napi_ok) {
		napi_throw_type_error(env, NULL, what);
		return -1;
	}
	switch (type) {
	case napi_int8_array:
	case napi_uint8_array:
	case napi_uint8_clamped_array:
		*len = n;
		break;
	case napi_int16_array:
	case napi_uint16_array:
		*len = n * 2;
		break;
	case napi_int32_array:
	case napi_uint32_array:
	case napi_float32_array:
		*len = n * 4;
		break;
	default:
		*len = n * 8;
		break;
	}
	return 0;
}

static napi_value js_ioctl(napi_env env, napi_callback_info info)
{
	napi_value argv[3], ret;
	uint32_t request;
	int32_t fd;
	void *data;
	size_t len;
	int rc;

	napi_valuetype vt;
	uint64_t raw;
	bool lossless;

	if (get_args(env, info, 3, argv) ||
	    get_int32(env, argv[0], "fd must be an integer", &fd) ||
	    get_uint32(env, argv[1], "request must be a 32-bit number", &request))
		return NULL;
	CHECK(env, napi_typeof(env, argv[2], &vt));
	if (vt == napi_bigint) {
		CHECK(env, napi_get_value_bigint_uint64(env, argv[2], &raw, &lossless));
		data = (void *)(uintptr_t)raw;
	} else if (get_bytes(env, argv[2], "arg must be a Buffer, TypedArray or bigint", &data, &len)) {
		return NULL;
	}

	do {
		rc = ioctl(fd, (unsigned long)request, data);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return throw_errno(env, errno, "ioctl");
	CHECK(env, napi_create_int32(env, rc, &ret));
	return ret;
}

static napi_value js_address(napi_env env, napi_callback_info info)
{
	napi_value argv[1], ret;
	void *data;
	size_t len;

	if (get_args(env, info, 1, argv) ||
	    get_bytes(env, argv[0], "buf must be a Buffer or TypedArray", &data, &len))
		return NULL;
	CHECK(env, napi_create_bigint_uint64(env, (uint64_t)(uintptr_t)data, &ret));
	return ret;
}

static napi_value js_name_to_handle(napi_env env, napi_callback_info info)
{
	union {
		struct file_handle fh;
		unsigned char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h;
	napi_value argv[1], obj, val;
	char path[4096];
	size_t len;
	void *copy;
	int mount_id;

	if (get_args(env, info, 1, argv))
		return NULL;
	if (napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &len) != napi_ok ||
	    len >= sizeof(path) - 1) {
		napi_throw_type_error(env, NULL, "path must be a string shorter than PATH_MAX");
		return NULL;
	}

	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0)
		return throw_errno(env, errno, "name_to_handle_at");

	CHECK(env, napi_create_object(env, &obj));
	CHECK(env, napi_create_int32(env, h.fh.handle_type, &val));
	CHECK(env, napi_set_named_property(env, obj, "type", val));
	CHECK(env, napi_create_buffer_copy(env, h.fh.handle_bytes, h.fh.f_handle, &copy, &val));
	CHECK(env, napi_set_named_property(env, obj, "handle", val));
	CHECK(env, napi_create_int32(env, mount_id, &val));
	CHECK(env, napi_set_named_property(env, obj, "mountId", val));
	return obj;
}

static napi_value js_open_by_handle(napi_env env, napi_callback_info info)
{
	union {
		struct file_handle fh;
		unsigned char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h;
	napi_value argv[4], ret;
	int32_t mount_fd, type, flags;
	void *data;
	size_t len;
	int fd;

	if (get_args(env, info, 4, argv) ||
	    get_int32(env, argv[0], "mountFd must be an integer", &mount_fd) ||
	    get_int32(env, argv[1], "type must be an integer", &type) ||
	    get_bytes(env, argv[2], "handle must be a Buffer or TypedArray", &data, &len) ||
	    get_int32(env, argv[3], "flags must be an integer", &flags))
		return NULL;
	if (len > MAX_HANDLE_SZ) {
		napi_throw_range_error(env, NULL, "handle is longer than MAX_HANDLE_SZ");
		return NULL;
	}

	h.fh.handle_bytes = len;
	h.fh.handle_type = type;
	memcpy(h.fh.f_handle, data, len);
	fd = open_by_handle_at(mount_fd, &h.fh, flags | O_CLOEXEC);
	if (fd < 0)
		return throw_errno(env, errno, "open_by_handle_at");
	CHECK(env, napi_create_int32(env, fd, &ret));
	return ret;
}

static napi_value init(napi_env env, napi_value exports)
{
	static const struct {
		const char *name;
		napi_callback fn;
	} fns[] = {
		{ "ioctl", js_ioctl },
		{ "address", js_address },
		{ "nameToHandle", js_name_to_handle },
		{ "openByHandle", js_open_by_handle },
	};
	napi_value fn;
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		CHECK(env, napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH,
						fns[i].fn, NULL, &fn));
		CHECK(env, napi_set_named_property(env, exports, fns[i].name, fn));
	}
	return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
