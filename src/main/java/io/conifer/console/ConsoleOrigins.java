package io.conifer.console;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where the console may be loaded from, and so which browser origins an index's data plane answers
 * CORS for: the control plane's own port, reached by the advertised host name or a loopback name.
 * Any other origin gets no CORS answer, so a web page elsewhere cannot read an open loopback server.
 */
public final class ConsoleOrigins implements Predicate<String> {
    private final String scheme;
    private final String advertisedHost;
    private final Set<String> hosts;
    private volatile int controlPort = -1;

    public ConsoleOrigins(String advertiseHost) {
        URI advertised = URI.create(advertiseHost.contains("://") ? advertiseHost : "http://" + advertiseHost);
        this.scheme = advertised.getScheme();
        this.advertisedHost = advertised.getHost();
        this.hosts = Set.copyOf(List.of(advertisedHost, "localhost", "127.0.0.1", "[::1]"));
    }

    /** The control plane's port, known once it listens (a configured port 0 picks a free one). */
    public void controlPort(int port) {
        this.controlPort = port;
    }

    @Override
    public boolean test(String origin) {
        if (origin == null || controlPort < 0) return false;
        try {
            URI u = URI.create(origin);
            return scheme.equals(u.getScheme()) && u.getHost() != null && hosts.contains(u.getHost())
                    && u.getPort() == controlPort && (u.getPath() == null || u.getPath().isEmpty());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The CSP source that lets the console reach every index's data plane (index hosts use the advertised host). */
    String dataPlaneSource() {
        return scheme + "://" + advertisedHost + ":*";
    }
}
