/*
 * hello.c - the whole program inside the "hello" sample image.
 *
 * Like Docker's hello-world, the image holds nothing but this one static
 * binary: no shell, no libc, no /etc. It is built without the C library
 * (-nostdlib) and talks to the Linux kernel directly through two system
 * calls, write() and exit(), so the binary is only a few kilobytes.
 *
 * Built by scripts/build-samples.sh with:
 *   gcc -static -Os -s -nostdlib -fno-asynchronous-unwind-tables \
 *       -fno-stack-protector -Wl,--build-id=none -o hello hello.c
 */

static const char message[] =
    "\n"
    "Hello from layerscope!\n"
    "\n"
    "This message shows that a container ran the only file in this image:\n"
    "a tiny static program at /hello, stored in the image's single layer.\n"
    "\n"
    "The image is FROM scratch: no shell, no C library, no package manager.\n"
    "Its config says CMD [\"/hello\"], so that is what the runtime started.\n"
    "\n";

#if defined(__x86_64__)
static long syscall3(long number, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(number), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return ret;
}
enum { SYS_WRITE = 1, SYS_EXIT = 60 };
#elif defined(__aarch64__)
static long syscall3(long number, long a, long b, long c)
{
    register long x8 __asm__("x8") = number;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
enum { SYS_WRITE = 64, SYS_EXIT = 93 };
#else
#error "hello.c supports x86_64 and aarch64 only"
#endif

void _start(void)
{
    long failed = syscall3(SYS_WRITE, 1, (long)message, sizeof message - 1) < 0;
    syscall3(SYS_EXIT, failed, 0, 0);
    for (;;) {
    }
}
