/*
 * example.c - the C interface of dpc as the 2005 design uses it.
 *
 *   example wait        registers, prints "registered <pid_d>", waits for
 *                       SIGUSR1, prints "got SIGUSR1", unregisters, exits 0
 *   example kill ID SIG sends SIG to process ID with kill_d; prints "sent"
 *                       or the error and exits 1
 *   example uregist ID  unregisters ID; prints "unregistered" or the error
 *
 * Build: cc example.c -I../include -L<target dir> -ldpc
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpc.h"

static int report(const char *what, int rc)
{
    if (rc == 0) {
        printf("%s\n", what);
        return 0;
    }
    printf("error %d: %s\n", errno, strerror(errno));
    return 1;
}

static int wait_for_sigusr1(void)
{
    sigset_t usr1, old;
    int sig;

    /* Block SIGUSR1 before registering, so that a signal sent as soon as
       the id is known waits for sigwait instead of ending the process. */
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);

    pid_d me = regist();
    if (me < 0) {
        printf("error %d: %s\n", errno, strerror(errno));
        return 1;
    }
    printf("registered %lld\n", (long long)me);
    fflush(stdout);

    if (sigwait(&usr1, &sig) != 0)
        return 1;
    printf("got SIGUSR1\n");
    return report("unregistered", uregist(me));
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "wait") == 0)
        return wait_for_sigusr1();
    if (argc == 4 && strcmp(argv[1], "kill") == 0)
        return report("sent", kill_d(strtoll(argv[2], NULL, 10), atoi(argv[3])));
    if (argc == 3 && strcmp(argv[1], "uregist") == 0)
        return report("unregistered", uregist(strtoll(argv[2], NULL, 10)));
    fprintf(stderr, "usage: example wait | kill ID SIG | uregist ID\n");
    return 2;
}
