package io.conifer.api;

import com.linecorp.armeria.common.FlagsProvider;

/**
 * Armeria's process-wide settings that differ from its defaults, loaded through its service loader.
 * Vector ids and namespaces are arbitrary strings that travel in query strings
 * ({@code /vectors/fetch?ids=../a}); Armeria refuses a {@code ..} there by default as a path-traversal
 * guard, which protects file services Conifer does not have.
 */
public final class ArmeriaFlags implements FlagsProvider {
    @Override
    public int priority() {
        return 100; // above Armeria's defaults, below -Dcom.linecorp.armeria.* system properties
    }

    @Override
    public Boolean allowDoubleDotsInQueryString() {
        return true;
    }
}
