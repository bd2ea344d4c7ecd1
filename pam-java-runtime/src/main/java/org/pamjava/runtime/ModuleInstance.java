package org.pamjava.runtime;

import org.pamjava.PamModule;

/**
 * A module instance and the handle it was created for: what lives per (PAM handle, MODULE
 * argument) in the in-process host, and per connection's handle in the resident service.
 */
public record ModuleInstance(PamModule module, LibPamHandle handle) {
    /** Where a call finds its module instance: created at the handle's first call, loaded by {@code log}'s rules. */
    public interface Source {
        ModuleInstance instance(String moduleArg, Diagnostics log) throws ModuleLoadException;
    }
}
