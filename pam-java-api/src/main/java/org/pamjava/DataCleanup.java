package org.pamjava;

/**
 * What runs when a value stored with {@link PamHandle#setData(String, Object, DataCleanup)} goes
 * away: at pam_end(3), or when another {@code setData} replaces it (the cleanup function of
 * pam_set_data(3)).
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
     *     (with {@link PamConstants#PAM_DATA_SILENT} when the application asked for it), and
     *     {@link PamConstants#PAM_DATA_REPLACE} when the value was replaced
     */
    void cleanup(T value, int status);
}
