import type { MarkerView } from '../markers/marker.presenter';
import { PostView } from '../post-store/post.presenter';

/** The live feed's events and rooms: the one place both the gateway and the emitter read them from. */
export const FEED_NAMESPACE = '/feed';

export const LiveEvent = {
  Post: 'timeline:post',
  Delete: 'timeline:delete',
  Sync: 'timeline:sync',
  Marker: 'marker:update',
} as const;

export interface LiveEvents {
  [LiveEvent.Post]: (post: PostView) => void;
  [LiveEvent.Delete]: (body: { id: string }) => void;
  [LiveEvent.Marker]: (marker: MarkerView) => void;
}

/** Each socket joins its own user's room, on the server side only. */
export const userRoom = (userId: string) => `u:${userId}`;
/** Online followers of a big account share one room, so a post costs one emit, not one per follower. */
export const bigAccountRoom = (authorId: string) => `big:${authorId}`;
