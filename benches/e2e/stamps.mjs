// The stamp a paced event carries in its text delta, `⟦index@write time⟧`
// (server.mjs), and how the runner finds it again in whatever string reached
// the sink: an event's data (JSON leaves the brackets as they are) or a piece
// of answer text. Shared by the server (Node) and the runner (page and Node).

export const pacedStamp = (i, t) => `⟦${i}@${t}⟧`;

/** Every stamp in a text: [index, write time, where it ends in the text]. */
export const pacedStamps = (text) =>
  [...text.matchAll(/⟦(\d+)@([\d.]+)⟧/g)].map((m) => [Number(m[1]), Number(m[2]), m.index + m[0].length]);
