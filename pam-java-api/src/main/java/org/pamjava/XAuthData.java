package org.pamjava;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The {@link PamConstants#PAM_XAUTHDATA} item, C's {@code struct pam_xauth_data}: an X authorization
 * method name and its data (pam_get_item(3)).
 *
 * @param name the authorization method, for example {@code "MIT-MAGIC-COOKIE-1"}; not null
 * @param data the authorization data; not null. The record keeps its own copy, and
 *     {@link #data()} returns a fresh copy.
 */
public record XAuthData(String name, byte[] data) {
    public XAuthData {
        Objects.requireNonNull(name, "name");
        data = Objects.requireNonNull(data, "data").clone();
    }

    /** A copy of the authorization data. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XAuthData other && name.equals(other.name) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "XAuthData[name=" + name + ", data=" + HexFormat.of().formatHex(data) + "]";
    }
}
