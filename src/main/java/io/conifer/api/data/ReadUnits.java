package io.conifer.api.data;

import io.conifer.proto.Usage;

/**
 * The {@code usage.readUnits} Pinecone reports on reads, by its published rules where they depend
 * only on the request: a fetch (by ids or by metadata) costs 1 per 10 records returned, at least 1;
 * a list page costs 1. A Pinecone query costs in proportion to the namespace's size with a floor;
 * Conifer does not meter, so a query reports that floor, 1.
 */
final class ReadUnits {
    private ReadUnits() {}

    static Usage query() {
        return of(1);
    }

    static Usage list() {
        return of(1);
    }

    static Usage fetch(int records) {
        return of(Math.max(1, (records + 9) / 10));
    }

    private static Usage of(int units) {
        return Usage.newBuilder().setReadUnits(units).build();
    }
}
