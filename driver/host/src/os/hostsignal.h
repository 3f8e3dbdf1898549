/*
 * hostsignal.h - the operating system's signals, through the same door as threads
 * (hostos.h): blocking them for the whole process and taking them on a thread of the
 * host's own, and ending the process by one.
 */
#ifndef HOSTSIGNAL_H
#define HOSTSIGNAL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Blocks Signals in the calling thread; threads started afterwards inherit the mask, so
 * a process that calls this before it starts any thread receives them only through
 * HosSignalWait. false when a signal number is invalid.
 */
bool HosSignalBlock(const int *Signals, size_t Count);

/* Waits until one of Signals (blocked) is pending and takes it; returns its number. */
int HosSignalWait(const int *Signals, size_t Count);

/*
 * The action the process has for Signal: 0 default, 1 ignore, 2 a handler of the
 * program's own, which *Handler and *SigInfo receive (SigInfo: SA_SIGINFO form).
 */
int HosSignalAction(int Signal, void **Handler, bool *SigInfo);

/* Ends the process by Signal with its default action (a parent sees WIFSIGNALED). */
__attribute__((noreturn)) void HosSignalDie(int Signal);

#endif /* HOSTSIGNAL_H */
