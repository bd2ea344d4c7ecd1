/* old_kernel.c: LD_PRELOAD library for tests: close_range(2) as kernels before 5.11 answer CLOSE_RANGE_CLOEXEC. */
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>

int close_range(unsigned int first, unsigned int last, int flags)
{
    if (flags & CLOSE_RANGE_CLOEXEC) {
        errno = EINVAL;
        return -1;
    }
    return (int)syscall(SYS_close_range, first, last, flags);
}
