/*
 * Linked into every C peer the tests build (test_support::CPeer): a server
 * calls start_stdin_watchdog() and ends as soon as its standard input
 * closes, so that it never outlives the test that started it.
 */
#include <pthread.h>
#include <unistd.h>

static void *exit_on_stdin_eof(void *arg)
{
    char c;
    (void)arg;
    while (read(0, &c, 1) > 0)
        ;
    _exit(0);
}

void start_stdin_watchdog(void)
{
    pthread_t watchdog;
    pthread_create(&watchdog, NULL, exit_on_stdin_eof, NULL);
}
