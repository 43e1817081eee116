package io.conifer.auth;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps API keys to projects. Configured as {@code key[:project],...}; a bare key belongs to the
 * default project. With no keys configured the server is open: any key (or none) is accepted, in
 * the default project; the server refuses to be open on anything but loopback (see ServerConfig).
 */
public final class ApiKeys {
    public static final String DEFAULT_PROJECT = "default";
    private final Map<String, String> projectByKey;

    private ApiKeys(Map<String, String> projectByKey) {
        this.projectByKey = projectByKey;
    }

    public static ApiKeys parse(String spec) {
        Map<String, String> keys = new LinkedHashMap<>();
        if (spec != null) {
            for (String part : spec.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) continue;
                int colon = p.lastIndexOf(':');
                String key = colon < 0 ? p : p.substring(0, colon);
                String project = colon < 0 ? DEFAULT_PROJECT : p.substring(colon + 1);
                if (key.isEmpty() || project.isEmpty()) {
                    throw new IllegalArgumentException("Invalid --api-key entry '" + p + "': use KEY or KEY:PROJECT");
                }
                keys.put(key, project);
            }
        }
        return new ApiKeys(keys);
    }

    public boolean isOpen() {
        return projectByKey.isEmpty();
    }

    /** The project a key belongs to, or null if the key is missing or unknown. */
    public String projectOf(String key) {
        if (isOpen()) return DEFAULT_PROJECT;
        if (key == null) return null;
        // Compare in constant time so response timing does not reveal how much of a key matched.
        String found = null;
        byte[] given = key.getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : projectByKey.entrySet()) {
            if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) found = e.getValue();
        }
        return found;
    }
}
