/* files: see files.h. */
#include "files.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>

int mfu_files_mkdirs(char *dir) {
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    int r = mkdir(dir, 0755);
    *p = '/';
    if (r != 0 && errno != EEXIST) return -1;
  }
  return mkdir(dir, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

bool mfu_files_write_all(int fd, struct iovec *iov, int n) {
  while (n > 0) {
    ssize_t done = writev(fd, iov, n);
    if (done < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    while (n > 0 && (size_t)done >= iov->iov_len) {
      done -= (ssize_t)iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (char *)iov->iov_base + done;
      iov->iov_len -= (size_t)done;
    }
  }
  return true;
}
