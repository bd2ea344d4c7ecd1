package org.pamjava;

import java.util.List;
import java.util.Objects;

/**
 * A group entry as the Name Service Switch gives it (getgrnam_r(3), getgrgid_r(3)).
 *
 * @param name the group name ({@code gr_name})
 * @param gid the group id ({@code gr_gid}), 0 to 4294967295
 * @param members the users listed as members ({@code gr_mem}), unmodifiable; users whose primary
 *     group this is are usually not listed: ask {@link Nss#groupsOf} for a user's groups
 */
public record GroupEntry(String name, long gid, List<String> members) {
    /** Checks the fields and makes {@code members} an unmodifiable copy. */
    public GroupEntry {
        Objects.requireNonNull(name, "name");
        Nss.checkId(gid, "gid");
        members = List.copyOf(members);
    }
}
