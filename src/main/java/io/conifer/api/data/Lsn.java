package io.conifer.api.data;

import com.linecorp.armeria.server.ServiceRequestContext;

/**
 * Pinecone's log sequence number headers, sent as HTTP response headers on REST and as gRPC response
 * metadata (the same headers). A write answers its {@code x-pinecone-request-lsn}; a read answers
 * the {@code x-pinecone-max-indexed-lsn} of the searcher it used: the write is reflected once the
 * second reaches the first. Conifer numbers writes per index (Pinecone per namespace); the rule holds
 * either way.
 */
final class Lsn {
    static final String REQUEST = "x-pinecone-request-lsn";
    static final String MAX_INDEXED = "x-pinecone-max-indexed-lsn";

    private Lsn() {}

    static void written(long lsn) {
        ServiceRequestContext.current().addAdditionalResponseHeader(REQUEST, Long.toString(lsn));
    }

    static void read(long lsn) {
        ServiceRequestContext.current().addAdditionalResponseHeader(MAX_INDEXED, Long.toString(lsn));
    }
}
