/*
 * dpc.h - distributed process communication: a cluster-wide process id
 * and signals to a process on any node of the cluster.
 *
 * Link with -ldpc (libdpc.so or libdpc.a; the static library also needs
 * -lpthread -ldl -lm). The calls go to this node's dpc daemon on its
 * local socket: $DPC_SOCKET, or /run/dpc.sock when it is not set.
 *
 * Every call returns -1 and sets errno on failure:
 *   ESRCH         no registered process has this id, or it has exited
 *   EPERM         kill(2) would not allow the signal, or the id is not
 *                 the caller's own (uregist)
 *   EINVAL        not a signal number (0 to 31, 34 to 64)
 *   EHOSTUNREACH  the target's node daemon did not answer in time
 *   EHOSTDOWN     the name server did not answer in time
 *   ECONNREFUSED  this node's daemon is not running
 *   ETIMEDOUT     this node's daemon did not answer in time
 *   ECONNRESET    this node's daemon closed the connection before answering
 *   EIO           the name server could not store the change
 *   EAGAIN        a limit of this node's daemon was reached (registrations
 *                 in all or of this user, open files)
 *   EPROTO        any other failure of the exchange with the daemon
 *
 * The calls are thread-safe (threads share one connection, made again
 * after a fork) but not async-signal-safe: do not call them from a signal
 * handler.
 */
#ifndef DPC_H
#define DPC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A cluster-wide process id: positive, unique in the cluster, never reused. */
typedef int64_t pid_d;

/* Registers the calling process: its new pid_d, or -1. */
pid_d regist(void);

/* Unregisters id, the calling process's own: 0, or -1. */
int uregist(pid_d id);

/* Sends signal sig to process id, on whatever node it runs: 0, or -1.
   Signal 0 only checks that the process exists and may be signalled. */
int kill_d(pid_d id, int sig);

#ifdef __cplusplus
}
#endif

#endif /* DPC_H */
