package io.conifer.api.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.conifer.error.ConiferException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Control-plane page tokens (backups, restore jobs) carry the page size of the listing's first request. */
class PageTokensTest {
    private final PageTokens tokens = new PageTokens("secret".getBytes(StandardCharsets.UTF_8));
    private final List<String> items = IntStream.range(0, 25).mapToObj(i -> String.format("k%02d", i)).toList();

    private PageTokens.Page<String> page(String limit, String token) {
        return tokens.page(items, Function.identity(), "scope", limit, token);
    }

    @Test
    void laterPagesKeepTheFirstRequestsPageSize() {
        PageTokens.Page<String> first = page("4", null);
        assertEquals(items.subList(0, 4), first.items());
        PageTokens.Page<String> second = page(null, first.next());
        assertEquals(items.subList(4, 8), second.items(), "only the token: the first page's size continues");
        assertEquals(items.subList(8, 12), page(null, second.next()).items());
    }

    @Test
    void anExplicitLimitOnALaterPageWins() {
        PageTokens.Page<String> first = page("4", null);
        PageTokens.Page<String> second = page("7", first.next());
        assertEquals(items.subList(4, 11), second.items());
        assertEquals(items.subList(11, 18), page(null, second.next()).items(), "and is carried from then on");
    }

    @Test
    void withoutALimitTheDefaultPageSize() {
        PageTokens.Page<String> first = page(null, null);
        assertEquals(PageTokens.DEFAULT_LIMIT, first.items().size());
        assertEquals(items.subList(10, 20), page(null, first.next()).items());
        assertEquals(items.subList(20, 25), page(null, page(null, first.next()).next()).items());
        assertNull(page(null, page(null, first.next()).next()).next());
    }

    @Test
    void aTokenWithARewrittenPageSizeIsRefused() {
        String token = page("4", null).next();
        String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
        String bigger = payload.replaceFirst("^4:", "100:");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(bigger.getBytes(StandardCharsets.UTF_8))
                + token.substring(token.indexOf('.'));
        assertThrows(ConiferException.class, () -> page(null, forged));
    }
}
