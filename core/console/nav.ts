/** The console's sections, in the order of its navigation bar (docs/console.md). */
export const SECTIONS = [
  { path: '/console/overview', label: 'Overview' },
  { path: '/console/members', label: 'Members' },
  { path: '/console/inbox', label: 'Inbox' },
  { path: '/console/deliveries', label: 'Deliveries' },
  { path: '/console/mappings', label: 'Mappings' },
  { path: '/console/rewards', label: 'Rewards' },
  { path: '/console/settings', label: 'Settings' },
] as const;

export type SectionPath = (typeof SECTIONS)[number]['path'];
