package io.conifer.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.Http;
import io.conifer.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the console is served: redirect, security headers, sign-in config, and CORS on the data planes. */
class ConsoleServingTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void theConsoleIsServedWithoutAKeyUnderAStrictPolicy() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Http anonymous = new Http(server.url(), null);
            Http.Response root = anonymous.get("/");
            assertEquals(302, root.status());
            assertEquals("/console/", root.header("location"));
            for (String path : new String[] {"/console/", "/console/app.js", "/console/console.css", "/console/config.json"}) {
                Http.Response r = anonymous.get(path);
                assertEquals(200, r.status(), path);
                String csp = r.header("content-security-policy");
                assertTrue(csp.startsWith("default-src 'self'; script-src 'self'; style-src 'self';"), csp);
                assertTrue(csp.contains("connect-src 'self' http://localhost:*;"), csp);
                assertTrue(csp.contains("frame-ancestors 'none'"), csp);
                assertFalse(csp.contains("unsafe"), csp);
                assertEquals("nosniff", r.header("x-content-type-options"), path);
            }
            // nosniff makes the browser insist on a script type for the modules.
            assertTrue(anonymous.get("/console/app.js").header("content-type").matches("(text|application)/javascript.*"));
            assertEquals("{\"api_key_required\":true}", anonymous.get("/console/config.json").body());
            // The API itself still wants the key.
            assertEquals(401, anonymous.get("/indexes").status());
        }
    }

    @Test
    void anOpenLoopbackServerSaysNoKeyIsRequired() throws Exception {
        try (TestServer server = TestServer.start(dir, null)) {
            assertEquals("{\"api_key_required\":false}", new Http(server.url(), null).get("/console/config.json").body());
        }
    }

    @Test
    void dataPlanesAnswerCorsForTheConsoleOriginOnly() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            String host = new Http(server.url(), TestServer.KEY).createDense("cors", 2, "cosine");
            HttpResponse<String> allowed = preflight(host, server.url());
            assertEquals(server.url(), allowed.headers().firstValue("access-control-allow-origin").orElse(null));
            assertTrue(allowed.headers().firstValue("access-control-allow-headers").orElse("").contains("api-key"));
            String sameHostByIp = "http://127.0.0.1:" + server.port();
            assertEquals(sameHostByIp, preflight(host, sameHostByIp).headers().firstValue("access-control-allow-origin").orElse(null));
            for (String other : new String[] {"http://evil.example:" + server.port(), "http://localhost:" + (server.port() + 1), "null"}) {
                assertNull(preflight(host, other).headers().firstValue("access-control-allow-origin").orElse(null), other);
            }
        }
    }

    private static HttpResponse<String> preflight(String host, String origin) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(host + "/describe_index_stats"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "api-key,content-type,x-pinecone-api-version")
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
