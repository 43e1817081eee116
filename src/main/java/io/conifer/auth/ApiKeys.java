package io.conifer.auth;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Set;
import java.util.Map;
import java.util.Optional;

/**
 * Maps API keys to projects. Configured as {@code key[:project],...}; a bare key belongs to the
 * default project. With no keys configured the server is open: any key is accepted, in the default
 * project; the server refuses to be open on anything but loopback (see ConiferServer).
 *
 * <p>An open server still requires the {@code Api-Key} header (any value) and answers only requests
 * addressed to a local host name ({@link #admitsHost}). A browser cannot send a custom header to
 * another origin without a CORS preflight the server does not grant, so no other web site can make a
 * call on the user's behalf (CSRF); and a site that re-points its own name at 127.0.0.1 (DNS
 * rebinding) sends its own name as the Host, which is refused.
 */
public final class ApiKeys {
    public static final String DEFAULT_PROJECT = "default";
    private final Map<String, String> projectByKey;
    private final Set<String> localHosts;

    private ApiKeys(Map<String, String> projectByKey, Set<String> localHosts) {
        this.projectByKey = projectByKey;
        this.localHosts = localHosts;
    }

    public static ApiKeys parse(String spec) {
        Map<String, String> keys = new LinkedHashMap<>();
        if (spec != null) {
            String[] parts = spec.split(",");
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.isEmpty()) continue;
                int colon = p.lastIndexOf(':');
                String key = colon < 0 ? p : p.substring(0, colon);
                String project = colon < 0 ? DEFAULT_PROJECT : p.substring(colon + 1);
                if (key.isEmpty() || project.isEmpty()) {
                    // The entry holds a secret: the message says where it is and what is wrong, never the key itself.
                    throw new IllegalArgumentException("Invalid API key entry " + (i + 1) + " of the list: "
                            + (key.isEmpty() ? "the key" : "the project after the last ':'") + " is empty; use KEY or KEY:PROJECT");
                }
                keys.put(key, project);
            }
        }
        return new ApiKeys(keys, Set.of("localhost"));
    }

    /** These keys, with {@code hostName} (the advertised host) also counted as local on an open server. */
    public ApiKeys withLocalHost(String hostName) {
        Set<String> hosts = new HashSet<>(localHosts);
        hosts.add(hostName.toLowerCase(Locale.ROOT));
        return new ApiKeys(projectByKey, Set.copyOf(hosts));
    }

    /** The first key listed, e.g. for a client that shares the server's {@code CONIFER_API_KEY}. */
    public Optional<String> firstKey() {
        return projectByKey.keySet().stream().findFirst();
    }

    public boolean isOpen() {
        return projectByKey.isEmpty();
    }

    /** The project a key belongs to, or null if the key is missing or unknown. */
    public String projectOf(String key) {
        if (key == null || key.isEmpty()) return null;
        if (isOpen()) return DEFAULT_PROJECT;
        // Compare in constant time so response timing does not reveal how much of a key matched.
        String found = null;
        byte[] given = key.getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : projectByKey.entrySet()) {
            if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) found = e.getValue();
        }
        return found;
    }

    /**
     * Whether a request addressed to {@code authority} (its Host header or :authority, {@code host[:port]})
     * may be served: always with keys configured; on an open server only for loopback addresses,
     * {@code localhost} and the advertised host. A missing authority (plain HTTP/1.0) is refused there.
     */
    public boolean admitsHost(String authority) {
        if (!isOpen()) return true;
        if (authority == null || authority.isEmpty()) return false;
        String host = authority;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            host = end < 0 ? host : host.substring(1, end);
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        host = host.toLowerCase(Locale.ROOT);
        if (localHosts.contains(host) || host.endsWith(".localhost")) return true;
        if (host.equals("::1") || host.equals("0:0:0:0:0:0:0:1")) return true;
        return host.matches("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
    }
}
