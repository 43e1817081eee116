package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.error.ConiferException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyset pagination for control-plane lists. A token carries the sort key of the last item served,
 * the page size of the request that started the listing (a later request that sends only the token
 * keeps it; its own {@code limit} wins) and an HMAC over both and the listing it belongs to, so a
 * malformed, forged or foreign token is
 * refused with 400 instead of silently paging from somewhere else. Items are served in bitwise order
 * of their key, and the next page starts strictly after the token's key, so items created or deleted
 * between requests never cause a skip or a repeat of the others.
 */
public final class PageTokens {
    public static final int DEFAULT_LIMIT = 10;
    public static final int MAX_LIMIT = 100;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final byte[] secret;

    public PageTokens(byte[] secret) {
        this.secret = secret.clone();
    }

    /** One page: the items and, unless this is the last page, the token of the next. */
    public record Page<T>(List<T> items, String next) {
        /** The list body the spec gives every paged list: {@code {data, pagination?: {next}}}. */
        public ObjectNode toJson(Function<T, ObjectNode> model) {
            ObjectNode out = JsonBody.JSON.createObjectNode();
            ArrayNode data = out.putArray("data");
            for (T item : items) data.add(model.apply(item));
            if (next != null) out.putObject("pagination").put("next", next);
            return out;
        }
    }

    public <T> Page<T> page(List<T> sorted, Function<T, String> key, String scope, String limitParam, String token) {
        return page(sorted, key, scope, limitParam, token, DEFAULT_LIMIT);
    }

    /**
     * A page of a list whose {@code limit} defaults to {@code defaultLimit} (100 for lists new in
     * 2026-07); a request with only a token keeps the page size the token carries.
     */
    public <T> Page<T> page(List<T> sorted, Function<T, String> key, String scope, String limitParam, String token,
            int defaultLimit) {
        Position from = token == null || token.isEmpty() ? null : decode(scope, token);
        int limit = limitParam != null && !limitParam.isEmpty() ? limit(limitParam) : from != null ? from.limit() : defaultLimit;
        String after = from == null ? null : from.after();
        int start = 0;
        if (after != null) {
            byte[] afterBytes = after.getBytes(StandardCharsets.UTF_8);
            while (start < sorted.size()
                    && Arrays.compareUnsigned(key.apply(sorted.get(start)).getBytes(StandardCharsets.UTF_8), afterBytes) <= 0) {
                start++;
            }
        }
        int end = Math.min(sorted.size(), start + limit);
        List<T> items = sorted.subList(start, end);
        String next = end < sorted.size() ? encode(scope, new Position(key.apply(items.get(items.size() - 1)), limit)) : null;
        return new Page<>(List.copyOf(items), next);
    }

    static int limit(String param) {
        int limit;
        try {
            limit = Integer.parseInt(param);
        } catch (NumberFormatException e) {
            throw ConiferException.invalid("limit must be an integer between 1 and " + MAX_LIMIT + ", not '" + param + "'");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ConiferException.invalid("limit is " + limit + "; it must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    /** Where a page token points: after the item with key {@code after}, {@code limit} items per page. */
    record Position(String after, int limit) {}

    String encode(String scope, Position position) {
        byte[] payload = (position.limit() + ":" + position.after()).getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(payload) + "." + B64.encodeToString(mac(scope, payload));
    }

    Position decode(String scope, String token) {
        int dot = token.indexOf('.');
        try {
            if (dot > 0) {
                byte[] payload = Base64.getUrlDecoder().decode(token.substring(0, dot));
                byte[] given = Base64.getUrlDecoder().decode(token.substring(dot + 1));
                if (MessageDigest.isEqual(given, mac(scope, payload))) {
                    String s = new String(payload, StandardCharsets.UTF_8);
                    int colon = s.indexOf(':');
                    return new Position(s.substring(colon + 1), Integer.parseInt(s.substring(0, colon)));
                }
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw ConiferException.invalid("Invalid paginationToken: pass the pagination.next value of the previous page of this list");
    }

    private byte[] mac(String scope, byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(scope.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return Arrays.copyOf(mac.doFinal(key), 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
