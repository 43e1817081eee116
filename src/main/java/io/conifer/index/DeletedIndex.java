package io.conifer.index;

/**
 * An index incarnation that was deleted: remembered so that backups taken from it can say their source
 * is gone, and so that a new index with the same name is recognised as a different source.
 */
public record DeletedIndex(String id, String project, String name, String deletedAt) {}
