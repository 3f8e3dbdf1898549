/*
 * hostsignal.c - signals through the one door to the operating system (hostsignal.h).
 */
#include "os/hostsignal.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static void FillSet(sigset_t *Set, const int *Signals, size_t Count)
{
    sigemptyset(Set);
    for (size_t i = 0; i < Count; i++) {
        sigaddset(Set, Signals[i]);
    }
}

bool HosSignalBlock(const int *Signals, size_t Count)
{
    sigset_t Set;
    FillSet(&Set, Signals, Count);
    return pthread_sigmask(SIG_BLOCK, &Set, NULL) == 0;
}

int HosSignalWait(const int *Signals, size_t Count)
{
    sigset_t Set;
    FillSet(&Set, Signals, Count);
    for (;;) {
        int Signal = 0;
        if (sigwait(&Set, &Signal) == 0) {
            return Signal;
        }
    }
}

int HosSignalAction(int Signal, void **Handler, bool *SigInfo)
{
    struct sigaction Action;
    if (sigaction(Signal, NULL, &Action) != 0) {
        return 0;
    }
    *SigInfo = (Action.sa_flags & SA_SIGINFO) != 0;
    if (*SigInfo) {
        *Handler = (void *)Action.sa_sigaction;
        return 2;
    }
    if (Action.sa_handler == SIG_IGN) {
        return 1;
    }
    if (Action.sa_handler == SIG_DFL) {
        return 0;
    }
    *Handler = (void *)Action.sa_handler;
    return 2;
}

void HosSignalDie(int Signal)
{
    struct sigaction Action = {0};
    Action.sa_handler = SIG_DFL;
    sigemptyset(&Action.sa_mask);
    sigaction(Signal, &Action, NULL);
    sigset_t Set;
    sigemptyset(&Set);
    sigaddset(&Set, Signal);
    pthread_sigmask(SIG_UNBLOCK, &Set, NULL);
    raise(Signal);
    /* A signal whose default action does not end the process (none of those the host
       takes does): end it with the shell's status for the signal. */
    _exit(128 + Signal);
}
