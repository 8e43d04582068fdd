package org.pieproject.client;

import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link PieClient#reattach(List)}.
 *
 * @param attached      the processes this connection now receives events of, by id
 * @param unattachable  processes that are still running but that the engine will not attach (engine 0.4
 *                      keeps them attached to the lost connection); they can still be listed and terminated
 * @param ended         processes the engine no longer has: they finished (their last events are lost)
 */
public record Reattachment(Map<String, PieProcess> attached, List<String> unattachable, List<String> ended) {}
