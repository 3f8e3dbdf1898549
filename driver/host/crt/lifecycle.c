/*
 * lifecycle.c - what scripts/host-run runs when it is given no PROGRAM: a Win32 program
 * that does nothing. Its start-up code (startup.c) loads the driver and starts the
 * device before main; its exit ends the life cycle (the device is removed and the
 * driver unloaded, with the verifier's leak checks), so its exit status says whether
 * the driver starts and stops cleanly.
 */
int main(void)
{
    return 0;
}
