# The scoutfs native addon: ioctl(2) and file handles for the utilities.
# Built by utils/native/build.js (part of `npm run build`).
{
  "targets": [
    {
      "target_name": "scoutfs_native",
      "sources": ["scoutfs_native.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-std=gnu11"]
    }
  ]
}
