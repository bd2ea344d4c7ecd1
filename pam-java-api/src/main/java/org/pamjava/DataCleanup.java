package org.pamjava;

/**
 * What runs when a value stored with {@link PamHandle#setData(String, Object, DataCleanup)} goes
 * away: at pam_end(3), or when another {@code setData} replaces or removes it (the cleanup function
 * of pam_set_data(3)). It runs once, on the thread of the call that makes the value go, without a
 * {@code PamHandle} (as a C cleanup should not converse): release resources, close connections,
 * wipe secrets; do not block.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface DataCleanup<T> {
    /**
     * Releases {@code value}.
     *
     * @param value the value that was stored
     * @param status the status libpam gives a C cleanup: at pam_end the status passed to pam_end
     *     (with {@link PamConstants#PAM_DATA_SILENT} when the application asked for it),
     *     {@code PAM_DATA_REPLACE | PAM_SUCCESS} when the value was replaced or removed, and
     *     {@code PAM_ABORT | PAM_DATA_SILENT} in the resident service when the application went away
     *     without pam_end. Test bits with {@code &}: {@code (status & PAM_DATA_REPLACE) != 0}
     */
    void cleanup(T value, int status);
}
