package org.pamjava.cli;

/** A command line the command cannot run, or a situation it cannot start in: one line for the user, exit status 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }
}
