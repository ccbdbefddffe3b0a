package io.statesync.core.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * The options a builder was given, so that each may be set once: a second call is a configuration
 * mistake (two places disagreeing about one setting) and fails at once, naming the option. Not
 * thread-safe, like the builders that use it.
 */
public final class BuilderOptions {
    private final Set<String> configured = new HashSet<>();

    /**
     * Records that an option is being set.
     *
     * @param option the option's name, as the builder method is called
     * @throws IllegalStateException if it was set before
     */
    public void once(String option) {
        if (!configured.add(option)) {
            throw new IllegalStateException(option + " was already set on this builder");
        }
    }
}
