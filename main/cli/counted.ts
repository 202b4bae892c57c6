// The core's texts count in singular/plural too: the one helper lives in shared/.
export { counted } from '../../shared/counted';
