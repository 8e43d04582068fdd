package org.pieproject.client;

import java.net.URI;
import java.net.URISyntaxException;

import org.pieproject.client.gateway.GatewayVocabulary;

/**
 * Which kind of Pie server a {@link PieClient} talks to. The wire messages are the same MessagePack maps;
 * what differs is around them (README, "Pie 0.5 gateway").
 *
 * <p>The client knows it talks to a gateway when {@link PieClient.Builder#generation} says so, or, when
 * that is not set, when the URI's path is {@code /v1/ws} (the gateway's WebSocket route; an engine up to
 * 0.4 accepts any path, so that path alone is a deliberate choice).
 */
public enum EngineGeneration {
    /**
     * A Pie engine 0.3 or 0.4 (the WebSocket server of Pie's main line): in-band authentication, every
     * request of protocol.md, text frames never sent.
     */
    ENGINE_0_4,
    /**
     * A Pie 0.5 gateway (Pie's dev line): identity from the {@code x-pie-identity} upgrade header, twelve
     * messages ({@link #supports}), text control frames beside the answers, turns that run concurrently.
     */
    GATEWAY_0_5;

    /** The gateway's WebSocket route. */
    static final String GATEWAY_PATH = "/v1/ws";

    /**
     * Whether this generation understands a message.
     *
     * @param messageType the message's {@code type}, e.g. {@code "launch_processes"}
     * @return whether a server of this generation answers it
     */
    public boolean supports(String messageType) {
        return this == ENGINE_0_4 || GatewayVocabulary.accepts(messageType);
    }

    /** The generation a URI implies when the builder names none. */
    static EngineGeneration of(URI uri) {
        return GATEWAY_PATH.equals(uri.getPath()) ? GATEWAY_0_5 : ENGINE_0_4;
    }

    /** Where to connect: a gateway URI without a path gets {@code /v1/ws}, as the official 0.5 clients do. */
    URI target(URI uri) {
        String path = uri.getPath();
        if (this != GATEWAY_0_5 || path != null && !path.isEmpty() && !path.equals("/")) return uri;
        try {
            return new URI(uri.getScheme(), uri.getUserInfo(), uri.getHost(), uri.getPort(), GATEWAY_PATH,
                    uri.getQuery(), uri.getFragment());
        } catch (URISyntaxException e) {
            return uri;
        }
    }
}
