// A short list of endpoint summaries (the overview's new, sensitive and zombie lists).
import type { ComponentChildren } from 'preact';
import type { EndpointSummary } from '../api';
import { MethodBadge, Num, Tags, TimeAgo } from './common';

export function endpointHref(id: string): string {
  return `/endpoints/${encodeURIComponent(id)}`;
}

export function EndpointMiniList({
  items,
  extra,
  extraTitle,
  below,
  empty,
}: {
  items: EndpointSummary[];
  /** A narrow right-hand column (a time). */
  extra?: (e: EndpointSummary) => ComponentChildren;
  extraTitle?: string;
  /** A line under the path (tags). */
  below?: (e: EndpointSummary) => ComponentChildren;
  empty: string;
}) {
  if (!items.length) return <div class="empty">{empty}</div>;
  return (
    <table class="table table-compact minilist">
      <colgroup>
        <col />
        <col class="col-num" />
        {extra && <col class="col-time" />}
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Endpoint</th>
          <th scope="col" class="num">
            Requests
          </th>
          {extra && <th scope="col">{extraTitle}</th>}
        </tr>
      </thead>
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
            {extra && <td class="nowrap">{extra(e)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const extras = {
  firstSeen: (now?: number) => (e: EndpointSummary) => <TimeAgo t={e.first_seen} now={now} />,
  lastSeen: (now?: number) => (e: EndpointSummary) => <TimeAgo t={e.last_seen} now={now} />,
  tags: () => (e: EndpointSummary) => <Tags tags={e.tags} />,
};
