package org.pieproject.client;

/**
 * An event of one of a workflow's child processes. The engine names the child only by a process id the
 * client has not seen before, and does not say which workflow it belongs to.
 *
 * @param processId the child process
 * @param event     what it produced
 */
public record WorkflowEvent(String processId, ProcessEvent event) {}
