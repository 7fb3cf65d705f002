"""Lambda's side of the host: execution environments (a process running the runtime interface
client against the host's Runtime API), a pool of them per function, and the invoke path."""
