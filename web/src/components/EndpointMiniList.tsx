// A short list of endpoint summaries (the overview's new, sensitive and zombie lists).
import type { ComponentChildren } from 'preact';
import type { EndpointSummary } from '../api';
import { MethodBadge, Num, numColumn, TableHead, Tags, TimeAgo } from './common';

export function endpointHref(id: string): string {
  return `/endpoints/${encodeURIComponent(id)}`;
}

export function EndpointMiniList({
  items,
  seen,
  now,
  below,
  empty,
}: {
  items: EndpointSummary[];
  /** A narrow right-hand column: when each endpoint was first or last seen (relative to `now`). */
  seen?: 'first_seen' | 'last_seen';
  now?: number;
  /** A line under the path (tags). */
  below?: (e: EndpointSummary) => ComponentChildren;
  empty: string;
}) {
  if (!items.length) return <div class="empty">{empty}</div>;
  const seenTitle = seen === 'first_seen' ? 'First seen' : 'Last seen';
  return (
    <table class="table table-compact minilist">
      <colgroup>
        <col />
        <col class="col-num" />
        {seen && <col class="col-time" />}
      </colgroup>
      <TableHead columns={['Endpoint', numColumn('Requests'), ...(seen ? [seenTitle] : [])]} />
      <tbody>
        {items.map((e) => (
          <tr key={e.id}>
            <td>
              <div class="mini-ep">
                <MethodBadge method={e.method} />
                <a href={endpointHref(e.id)} class="path" data-testid="endpoint-link" title={`${e.method} ${e.path}`}>
                  {e.path}
                </a>
              </div>
              <div class="sub muted">
                {e.api_id}
                {e.stage ? ` / ${e.stage}` : ''}
                {below && <> {below(e)}</>}
              </div>
            </td>
            <td class="num">
              <Num n={e.requests} />
            </td>
            {seen && (
              <td class="nowrap">
                <TimeAgo t={e[seen]} now={now} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The `below` line that shows an endpoint's sensitive-data tags. */
export const tagsBelow = (e: EndpointSummary) => <Tags tags={e.tags} />;
