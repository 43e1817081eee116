package io.conifer.store;

import java.util.List;
import java.util.SortedMap;

/**
 * A point-in-time copy of an index made by {@link StorageEngine#exportTo}: its file names (a segments
 * file included) and what it holds.
 */
public record PointInTime(List<String> files, SortedMap<String, Long> namespaces, long records, String writerSession) {}
