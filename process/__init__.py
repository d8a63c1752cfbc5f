"""This process and its children: child processes that cannot outlive the run or stall it, and when the garbage collector runs."""
