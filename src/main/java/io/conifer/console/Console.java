package io.conifer.console;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.file.FileService;
import io.conifer.auth.ApiKeys;

/**
 * The web console: static ES modules and one stylesheet from the jar, under {@code /console/}. The
 * files need no key; every API call the console makes sends the {@code Api-Key} header, which a
 * cross-site form or link cannot, so CSRF is impossible by construction.
 */
public final class Console {
    private static final String ROOT = "/console/";

    private Console() {}

    public static void register(ServerBuilder sb, ApiKeys keys, ConsoleOrigins origins) {
        SecurityHeaders headers = new SecurityHeaders(origins.dataPlaneSource());
        String config = "{\"api_key_required\":" + !keys.isOpen() + "}";
        sb.service("/", (ctx, req) -> HttpResponse.ofRedirect(HttpStatus.FOUND, ROOT));
        sb.service("/console", (ctx, req) -> HttpResponse.ofRedirect(HttpStatus.FOUND, ROOT));
        sb.service(ROOT + "config.json", ((HttpService) (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, config))
                .decorate(headers));
        sb.serviceUnder(ROOT, FileService.builder(Console.class.getClassLoader(), "console")
                .serveCompressedFiles(false)
                .autoIndex(false)
                .addHeader(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .build()
                .decorate(headers));
    }
}
