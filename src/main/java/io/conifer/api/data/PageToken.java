package io.conifer.api.data;

import io.conifer.error.ConiferException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A data-plane {@code paginationToken}: the last key served and the page size of the request that
 * started the listing, so a later request that sends only the token keeps that page size (newer
 * clients do); a {@code limit} sent with the token still wins. {@code kind} keeps a token of one
 * listing from being taken by another.
 */
record PageToken(String after, int limit) {
    /** Page size of a first request that sends no {@code limit}. */
    static final int DEFAULT_LIMIT = 100;

    static String encode(String kind, String after, int limit) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((kind + ":" + limit + ":" + after).getBytes(StandardCharsets.UTF_8));
    }

    /** The token's position, or null for a first page (no or empty token). */
    static PageToken decode(String kind, String token) {
        if (token == null || token.isEmpty()) return null;
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (s.startsWith(kind + ":")) {
                int colon = s.indexOf(':', kind.length() + 1);
                int limit = colon > 0 ? Integer.parseInt(s.substring(kind.length() + 1, colon)) : 0;
                if (limit >= 1) return new PageToken(s.substring(colon + 1), limit);
            }
        } catch (IllegalArgumentException ignored) {
            // reported below (NumberFormatException is one)
        }
        throw invalid();
    }

    private static ConiferException invalid() {
        return ConiferException.invalid("Invalid paginationToken: pass the pagination.next value of a previous response");
    }

    /**
     * The page size: the request's own {@code limit}, else the one its token carries, else the default.
     * Tokens are not signed, so a token's page size is held to the same {@code max} as a request's.
     */
    static int limit(Integer requested, PageToken token, int max) {
        if (requested != null) return requested;
        if (token == null) return Math.min(DEFAULT_LIMIT, max);
        if (token.limit() > max) throw invalid();
        return token.limit();
    }

    static String after(PageToken token) {
        return token == null ? null : token.after();
    }
}
