/*
 * Every naming rule of the generated code, in one place.
 */

/* PascalCase / camelCase -> snake_case: IoctlInodeAttrX -> ioctl_inode_attr_x */
export function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

export const cStruct = (name: string): string => `scoutfs_${snake(name)}`;
export const cCpuStruct = (name: string): string => `scoutfs_${snake(name)}_cpu`;
export const cEnum = (name: string): string => `scoutfs_${snake(name)}`;
export const cEnumMember = (enumName: string, member: string): string =>
  `SCOUTFS_${snake(enumName).toUpperCase()}_${member}`;
export const cConst = (name: string): string => `SCOUTFS_${name}`;
export const cIoctl = (name: string): string => `SCOUTFS_IOC_${name}`;
export const cNetCmd = (name: string): string => `SCOUTFS_NET_CMD_${name}`;
export const cMountOpt = (name: string): string => `SCOUTFS_OPT_${name.toUpperCase()}`;
export const cMountOptField = (name: string): string => name;
/* the handler in the module of an ioctl: WALK_INODES -> scoutfs_ioc_walk_inodes */
export const cIoctlHandler = (name: string): string => `scoutfs_ioc_${name.toLowerCase()}`;

/* TypeScript names: schema names are kept as they are. */
export const tsStruct = (name: string): string => name;
