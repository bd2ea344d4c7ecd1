package org.pamjava.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pamjava.client.PamItem;

/** The {@code --item NAME=VALUE} options of {@code run} and {@code simulate}. */
final class Items {
    static final String HELP_NAMES = "tty rhost ruser xdisplay user_prompt authtok_type";

    private Items() {}

    static Map<PamItem, String> parse(String command, List<String> specs) throws UsageException {
        Map<PamItem, String> items = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            PamItem item = null;
            if (eq > 0) {
                String name = spec.substring(0, eq).toUpperCase(Locale.ROOT);
                for (PamItem candidate : PamItem.values()) {
                    if (candidate.name().equals(name) && candidate != PamItem.SERVICE && candidate != PamItem.USER) {
                        item = candidate;
                    }
                }
            }
            if (item == null) {
                throw new UsageException(command + ": --item takes NAME=VALUE with NAME one of " + HELP_NAMES + ", not '" + spec + "'");
            }
            items.put(item, spec.substring(eq + 1));
        }
        return items;
    }
}
