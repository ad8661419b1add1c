// A bounded in-memory event store for the Streamable HTTP server transport:
// it makes the MCP upstream resumable (priming event ids on POST streams,
// replay after Last-Event-ID on a GET), as a server with polling does.
import type { EventStore } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

interface Stored {
  id: string;
  streamId: string;
  message: JSONRPCMessage;
}

export class BoundedEventStore implements EventStore {
  private events: Stored[] = [];
  private seq = 0;

  constructor(private readonly max = 10_000) {}

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}.${++this.seq}`;
    this.events.push({ id, streamId, message });
    if (this.events.length > this.max) this.events.splice(0, this.events.length - this.max);
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.events.find((e) => e.id === eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const at = this.events.findIndex((e) => e.id === lastEventId);
    if (at < 0) return "";
    const streamId = this.events[at].streamId;
    for (const e of this.events.slice(at + 1)) {
      // The priming event ({}) only marks a place in the stream.
      if (e.streamId === streamId && Object.keys(e.message).length > 0) await send(e.id, e.message);
    }
    return streamId;
  }
}
