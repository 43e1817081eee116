package io.conifer.vectors;

import java.util.List;

/** One page of ids in bitwise order; {@code more} when ids remain after the last one. */
public record ListPage(List<String> ids, boolean more) {}
