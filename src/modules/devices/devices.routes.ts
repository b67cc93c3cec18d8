import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError, type FieldErrors } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import type { StaffPrincipal } from '../auth/index.ts';
import { staffOf, staffActor } from '../../web/principal.ts';
import { canRegisterDevices, canViewDevices, mayReachDeviceApproval } from './devices.policy.ts';
import {
  deviceTypeLabels,
  deviceTypes,
  registerDeviceForm,
  withdrawDeviceForm,
} from './devices.forms.ts';

const idParams = z.object({ id: z.uuid() });

export const deviceStatusTags: Record<string, { text: string; classes: string }> = {
  pending: { text: 'Waiting for approval', classes: 'govuk-tag--yellow' },
  approved: { text: 'Approved', classes: 'govuk-tag--green' },
  withdrawn: { text: 'Approval withdrawn', classes: 'govuk-tag--red' },
};

/** The device register: list, register (ICT Technician), approve and withdraw (approver). */
export async function deviceRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const devices = services.devices;

  const renderList = async (
    reply: FastifyReply,
    principal: StaffPrincipal,
    errors?: FieldErrors,
  ): Promise<FastifyReply> => {
    const [list, approverRole, devicesRule, canApprove, approverResponsibilities] =
      await Promise.all([
        devices.list(principal.schoolId),
        devices.approverRole(principal.schoolId),
        devices.schoolDevicesRule(principal.schoolId),
        devices.isApprover(principal),
        devices.approverResponsibilityNames(principal.schoolId),
      ]);
    return reply.page('devices/views/devices.njk', {
      title: 'School devices',
      devices: list,
      typeLabels: deviceTypeLabels,
      statusTags: deviceStatusTags,
      canRegister: canRegisterDevices(principal),
      canApprove,
      approverRole,
      approverResponsibilities,
      devicesRule,
      ...(errors ? { errors } : {}),
    });
  };

  app.get('/devices', { config: { access: canViewDevices } }, async (request, reply) => {
    return renderList(reply, staffOf(request.principal));
  });

  const renderNew = (reply: FastifyReply, values: Record<string, unknown>, errors?: FieldErrors) =>
    reply.page('devices/views/new.njk', {
      title: 'Register a school device',
      values,
      typeItems: deviceTypes.map((t) => ({
        value: t,
        text: deviceTypeLabels[t],
        checked: values.deviceType === t,
      })),
      ...(errors ? { errors } : {}),
    });

  app.get('/devices/new', { config: { access: canRegisterDevices } }, async (_request, reply) =>
    renderNew(reply, {}),
  );

  formRoute(app, '/devices', {
    access: canRegisterDevices,
    who: staffOf,
    form: registerDeviceForm,
    act: ({ who, value }) => devices.register(who.schoolId, staffActor(who), value),
    done: (device) => ({
      redirect: '/devices',
      flash: `${device.name} (${device.assetTag}) is registered. It can be used for photos once it is approved.`,
    }),
    render: (reply, { values, errors }) => renderNew(reply, values, errors),
  });

  // Approve or withdraw: only the profile's approver, and only a device of their school (404).
  const decision = (kind: 'approve' | 'withdraw') =>
    formRoute(app, `/devices/:id/${kind}`, {
      access: mayReachDeviceApproval,
      who: staffOf,
      params: idParams,
      authorise: async ({ who, params }) => {
        if (!(await devices.isApprover(who))) throw new NotFoundError();
        await devices.get(who.schoolId, params.id);
      },
      form: kind === 'withdraw' ? withdrawDeviceForm : z.object({}),
      act: async ({ who, params }) => {
        const device = await devices.get(who.schoolId, params.id);
        if (kind === 'approve') await devices.approve(who, device.id);
        else await devices.withdraw(who, device.id);
        return device;
      },
      done: (device) => ({
        redirect: '/devices',
        flash:
          kind === 'approve'
            ? `${device.name} is approved for taking photos and videos.`
            : `${device.name} is no longer approved. Anything uploaded from it now goes to quarantine.`,
      }),
      // The list again, the message beside the device it is about.
      render: (reply, { who, params, errors }) =>
        renderList(reply, who, {
          [reply.statusCode === 409 ? `device-${params.id}` : `withdraw-${params.id}`]:
            errors._form ?? errors.confirm ?? 'Confirm the withdrawal',
        }),
    });
  decision('approve');
  decision('withdraw');
}
