package org.pieproject.client.gateway;

import java.util.Set;

/**
 * The client messages a Pie 0.5 gateway accepts: the {@code ClientMessage} enum of
 * interface/client/src/message.rs on Pie's dev branch. Anything else (token authentication, batches,
 * daemons, workflows, MCP) fails to parse there and only draws an error frame, so this client refuses it
 * before sending.
 */
public final class GatewayVocabulary {
    private static final Set<String> ACCEPTED = Set.of("auth_identify", "auth_prove", "check_program", "query",
            "add_program", "launch_process", "attach_process", "terminate_process", "signal_process",
            "transfer_file", "list_processes", "ping");

    private GatewayVocabulary() {
    }

    /**
     * Whether the gateway understands a message type.
     *
     * @param type the message's {@code type}, e.g. {@code "launch_processes"}
     * @return true for the twelve messages of the 0.5 vocabulary
     */
    public static boolean accepts(String type) {
        return ACCEPTED.contains(type);
    }

    /**
     * The text of the refusal for a message the gateway does not understand.
     *
     * @param type the message's {@code type}
     * @return a sentence that names the gateway and the message
     */
    public static String refusal(String type) {
        return type + " is not part of the Pie 0.5 gateway's vocabulary (it accepts " + String.join(", ",
                ACCEPTED.stream().sorted().toList()) + "); this client was told it talks to a gateway, so the"
                + " request was not sent";
    }
}
